import sys

from waymark.cli import main

sys.exit(main())
