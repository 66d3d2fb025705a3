"""The work that follows from policies: which policy each school, authority and Virtual School
uses, each pupil's band history under it, and the tasks for the people who hold each role."""
