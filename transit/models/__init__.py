"""Transit (floor 6): vehicles and drivers, supervised loading and seals, the trip and its GPS
track, the Qingshuihe warehouse, release at the port.

The spine every part hangs on: a ``Vehicle`` (with its ``GpsUnit``) and a ``Driver`` of an
enterprise, approved by the bureau; a ``Loading`` of one certified consignment onto one vehicle,
closed with its ``Seal`` numbers and a frozen manifest (``LoadingAnimal``); one ``Trip`` per
closed loading, from the farm through the warehouse to the port.
"""

from .fleet import Disinfection, Driver, GpsUnit, Vehicle
from .journeys import Corridor, GpsPoint, JourneyState
from .loading import Loading, LoadingAnimal, Seal, Trip
from .port import PortCheck
from .warehouse import Arrival, Ineligible, IneligiblePhoto

__all__ = [
    "Arrival",
    "Corridor",
    "GpsPoint",
    "Ineligible",
    "IneligiblePhoto",
    "JourneyState",
    "PortCheck",
    "Disinfection",
    "Driver",
    "GpsUnit",
    "Loading",
    "LoadingAnimal",
    "Seal",
    "Trip",
    "Vehicle",
]
