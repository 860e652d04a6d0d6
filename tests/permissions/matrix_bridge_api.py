"""The bridge API: open to every caller, because the device's signature is the authentication.

A request that is not a signed payload of a registered device is refused whoever sends it
(tests/livestock/test_bridge_api.py covers signed payloads).
"""

from .cases import BAD_REQUEST, case

MATRIX = {
    "bridge_api:reads": case(public=True, post=BAD_REQUEST),
    "bridge_api:heartbeat": case(public=True, post=BAD_REQUEST),
}
