"""Children in care (issue 5): the Virtual School's single school, PEP meetings and attendance
improvement plans (seed 000), their quality (seed 004), escalation and the process pathways of
seed 001, with Pupil Premium Plus requests. Rules live in `muster.core.care`."""
