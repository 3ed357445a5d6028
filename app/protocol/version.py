"""The CIMI specification version of every response (`CIMI-Specification-Version`).

This is the one place that decides it; honouring a client's list of acceptable versions
belongs here too.
"""
SPECIFICATION_VERSION = "1.1.0"
HEADER = "CIMI-Specification-Version"


def response_version():
    return SPECIFICATION_VERSION
