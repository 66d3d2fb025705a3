"""The open API under /api/v1/ (issue 9 part 1): tokens for people and systems, marks pushed in
batches, figures, tasks.

Built with Django Ninja rather than Django REST framework + drf-spectacular: request and response
bodies are typed pydantic schemas, the OpenAPI 3 schema is generated from those same types (so
the published schema cannot drift from what the code accepts), and it is small (one dependency
beside pydantic, plain functions as endpoints calling the apps' actions and reports).

Every call authenticates with a bearer token (`muster.api.models.ApiToken`), acts as the token's
user, reads only through the trust layer (`muster.people.access`) and is recorded in the audit
log (`muster.audit.log.record_event`).
"""
