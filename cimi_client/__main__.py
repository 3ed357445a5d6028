"""`python -m cimi_client` runs the `cimi` command."""
import sys

from cimi_client.main import main

sys.exit(main())
