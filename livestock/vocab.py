"""The words of the individual record: our event kinds, mapped to EPCIS 2.0 / CBV 2.0.

CBV's own business steps and dispositions are kept as its bare words (``commissioning``,
``destroying``, ``active``...), as EPCIS 2.0 JSON writes them. Where the CBV has no word (feeding,
vaccinating...) we use URIs under our own prefix (settings.LIVESTOCK_URI_BASE), never a GS1 one.
Identifiers of animals, farms and pens are URIs under the same prefix.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


def uri(*parts) -> str:
    """``urn:hk-livestock:farm:12:pen:1号猪舍``-style identifiers of our own."""
    return settings.LIVESTOCK_URI_BASE + ":".join(str(p) for p in parts)


def own(kind: str, word: str) -> str:
    """A word of our own vocabulary, e.g. own("bizstep", "vaccinating")."""
    return uri(kind, word)


@dataclass(frozen=True)
class Kind:
    label: object
    type: str
    action: str
    biz_step: str  # a CBV bare word, or "own:<word>" for ours
    disposition: str = ""
    icon: str = "dot"


# Our event kinds. Later steps (declaration, loading, the warehouse, the port) add theirs here.
KINDS = {
    "registered": Kind(_("Registered and tagged"), "ObjectEvent", "ADD", "commissioning", "active", "tag"),
    "retagged": Kind(_("Tag replaced"), "ObjectEvent", "OBSERVE", "own:retagging", "active", "arrow-repeat"),
    "updated": Kind(_("Details corrected"), "ObjectEvent", "OBSERVE", "own:correcting", "", "pencil"),
    "moved": Kind(_("Moved to another pen"), "ObjectEvent", "OBSERVE", "own:moving", "active", "arrows-move"),
    "feed": Kind(_("Feed"), "ObjectEvent", "OBSERVE", "own:feeding", "active", "basket"),
    "vaccination": Kind(
        _("Vaccination"), "ObjectEvent", "OBSERVE", "own:vaccinating", "active", "shield-plus"
    ),
    "medication": Kind(_("Medication"), "ObjectEvent", "OBSERVE", "own:treating", "active", "capsule"),
    "withdrawal": Kind(
        _("Medication (withdrawal period)"),
        "ObjectEvent",
        "OBSERVE",
        "own:treating",
        "non_sellable_other",
        "capsule",
    ),
    "disease": Kind(
        _("Disease observed"), "ObjectEvent", "OBSERVE", "inspecting", "non_conformant", "thermometer"
    ),
    "disinfection": Kind(
        _("Disinfection"), "ObjectEvent", "OBSERVE", "own:disinfecting", "active", "droplet"
    ),
    "death": Kind(_("Death"), "ObjectEvent", "OBSERVE", "own:dying", "inactive", "x-octagon"),
    "disposal": Kind(_("Disposed of"), "ObjectEvent", "DELETE", "destroying", "destroyed", "fire"),
    "seen": Kind(_("Read by a reader"), "ObjectEvent", "OBSERVE", "own:sighting", "", "broadcast"),
    # Origin quarantine (quarantine.services): the consignment's steps on each of its animals.
    "declared": Kind(
        _("Declared for export"),
        "ObjectEvent",
        "OBSERVE",
        "own:declaring",
        "own:declared",
        "file-earmark-text",
    ),
    "declaration_released": Kind(
        _("Released from a declaration"),
        "ObjectEvent",
        "OBSERVE",
        "own:declaring",
        "active",
        "arrow-counterclockwise",
    ),
    "quarantine_accepted": Kind(
        _("Declaration accepted"), "ObjectEvent", "OBSERVE", "own:accepting", "own:declared", "inbox"
    ),
    "examined": Kind(
        _("Clinically examined"), "ObjectEvent", "OBSERVE", "inspecting", "conformant", "clipboard-check"
    ),
    "sampled": Kind(_("Sampled for the lab"), "ObjectEvent", "OBSERVE", "own:sampling", "", "eyedropper"),
    "lab_results": Kind(_("Lab results in"), "ObjectEvent", "OBSERVE", "inspecting", "", "clipboard-data"),
    "certified": Kind(
        _("Health certificate issued"), "ObjectEvent", "OBSERVE", "inspecting", "conformant", "patch-check"
    ),
    "quarantine_rejected": Kind(
        _("Refused in origin quarantine"),
        "ObjectEvent",
        "OBSERVE",
        "inspecting",
        "non_conformant",
        "x-circle",
    ),
    "export_blocked": Kind(
        _("Blocked for export"),
        "ObjectEvent",
        "OBSERVE",
        "own:blocking",
        "non_sellable_other",
        "slash-circle",
    ),
    # Supervised loading (transit.services.loading): the animals aggregated into the vehicle,
    # whose URI is the event's parent (EPCIS AggregationEvent, parentID).
    "loaded": Kind(
        _("Loaded and sealed under supervision"),
        "AggregationEvent",
        "ADD",
        "loading",
        "in_transit",
        "truck",
    ),
    # The transit warehouse and the exit port (transit.services.warehouse, transit.services.port).
    "warehouse_arrived": Kind(
        _("Arrived at the transit warehouse"),
        "ObjectEvent",
        "OBSERVE",
        "arriving",
        "in_progress",
        "house-door",
    ),
    "set_aside": Kind(
        _("Set aside at the warehouse"),
        "ObjectEvent",
        "OBSERVE",
        "own:setting_aside",
        "non_sellable_other",
        "bandaid",
    ),
    "transit_examined": Kind(
        _("Examined at the transit warehouse"),
        "ObjectEvent",
        "OBSERVE",
        "inspecting",
        "conformant",
        "clipboard2-pulse",
    ),
    "warehouse_departed": Kind(
        _("Left the warehouse under new seals"), "ObjectEvent", "OBSERVE", "departing", "in_transit", "truck"
    ),
    "port_held": Kind(
        _("Held at the port"), "ObjectEvent", "OBSERVE", "holding", "non_sellable_other", "pause-circle"
    ),
    "port_hold_overridden": Kind(
        _("Hold overridden by a supervisor"),
        "ObjectEvent",
        "OBSERVE",
        "holding",
        "in_transit",
        "person-check",
    ),
    "exported": Kind(
        _("Released at the port and exported"),
        "ObjectEvent",
        "OBSERVE",
        "departing",
        "in_transit",
        "box-arrow-right",
    ),
}


def expand(word: str, vocabulary: str) -> str:
    """The stored form of a word of ``vocabulary`` ("bizstep" or "disp"): CBV words bare, ours as URIs."""
    return own(vocabulary, word[4:]) if word.startswith("own:") else word
