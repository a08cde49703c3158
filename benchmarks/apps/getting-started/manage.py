#!/usr/bin/env python
"""The project's management commands (`./manage.py migrate`, `./manage.py runserver`...)."""

import os
import sys


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gettingstarted.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
