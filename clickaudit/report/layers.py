"""One line per link for what was peeled off it: written link → wrapper(s) → tracker → destination.

Text and HTML reports show the same words; the GUI's timeline draws from the same typed
:attr:`clickaudit.model.Link.layers`, never from this text.
"""

from __future__ import annotations

from clickaudit.model import Layer, LayerKind, Link


def layer_label(layer: Layer) -> str:
    """``Proofpoint URL Defense (wrapper)``, ``SendGrid (tracker)``, ``unknown redirector``."""
    if layer.kind is LayerKind.REDIRECTOR and not layer.name:
        return "unknown redirector"
    return f"{layer.name or 'unknown'} ({layer.kind.value})"


def layers_line(link: Link) -> str:
    """The peeled path of a link in one line, or ``""`` when nothing was peeled off."""
    if not link.layers:
        return ""
    steps = [layer_label(layer) for layer in link.layers]
    if link.decoded:
        steps.append(link.decoded)
    elif link.host_hint:
        steps.append(f"(opaque; host {link.host_hint})")
    else:
        steps.append("(destination kept on the server)")
    return " → ".join(steps)
