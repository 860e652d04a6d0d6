"""rfid_bridge: the site program that carries ear-tag reads from a serial reader to the server.

A program of its own: it imports no Django and nothing else from this project, so it can be
installed on a small site computer with only pyserial and the Celery client. The server imports
exactly one module from it, :mod:`rfid_bridge.protocol` (stdlib only). Keep this file free of
imports so that importing the protocol does not pull in pyserial or Celery.
"""

__version__ = "1.0.0"
