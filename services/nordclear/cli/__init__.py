"""The ``nordclear`` command line: run the clearing house, check it, mint tokens; services add their own."""
