import sys

from kclassics.cli import main

sys.exit(main())
