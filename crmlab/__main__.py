"""``python -m crmlab`` runs the command line."""

import sys

from crmlab.cli import main

sys.exit(main())
