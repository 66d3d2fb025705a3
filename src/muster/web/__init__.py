"""The web pages: each role's day in a browser (issue 6), on Django templates after the GOV.UK
Design System. Views stay thin: they ask `muster.people.access` for what the person may reach,
call the reports and actions every other shell calls, and render."""
