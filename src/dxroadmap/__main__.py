"""`python -m dxroadmap`."""

from dxroadmap.cli import main

if __name__ == "__main__":
    main()
