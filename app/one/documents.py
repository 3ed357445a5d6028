"""OpenNebula document types of the CIMI resources that have no OpenNebula twin.

`one.document.*` objects carry a free type number. OpenNebula's own tools use small numbers
(OneFlow: 100 and 101), so CIMI takes a private block from 8001 up. The numbers are stored
in OpenNebula with every document: never renumber them.
"""

MACHINE_CONFIGURATION = 8001
VOLUME_CONFIGURATION = 8002
VOLUME_TEMPLATE = 8003
CREDENTIAL = 8004
JOB = 8005
# Not a CIMI resource: what a POST with an Idempotency-Key did (app.services.idempotency).
IDEMPOTENCY_RECORD = 8006

