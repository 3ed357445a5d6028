"""cimi: a client for DMTF CIMI clouds (the `cimi_client.client` library and the `cimi` command).

The library starts from a Cloud Entry Point URL and reaches everything else by following the
hrefs and operations the server hands out; the command offers the StratusLab user guide's
workflows (run, describe, kill instances; persistent, read-only and volatile disks; images)
on top of it.
"""
__version__ = "0.1.0"
