"""`python -m chainkg` runs the command line."""

from chainkg.cli import main

if __name__ == "__main__":
    main()
