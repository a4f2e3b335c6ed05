"""The web map's look: colours shared with the app's map, and the page's CSS."""

from __future__ import annotations

# Looks shared with the app's map (terrmap.render.style.MapStyle) so the page reads the same.
BACKGROUND = "#EEF2F6"
UNIT_BORDER = "#FFFFFF"
TERRITORY_BORDER = "#3A4450"
CONTEXT_BORDER = "#9AA5B1"
ACCOUNT_BORDER = "#1F2933"
HOME_COLOR = "#1F2933"
# Unit fill opacity over the plain offline background and over online map tiles. Route
# colours, casing and the fill fade under a route come from terrmap.core.palette, as in the app.
UNIT_FILL_OPACITY_OFFLINE = 0.9
UNIT_FILL_OPACITY_ONLINE = 0.65


def page_css() -> str:
    return f"""
html body .leaflet-container {{ background: {BACKGROUND}; font: 13px/1.4 system-ui, sans-serif; }}
.terrmap-box {{ position: fixed; z-index: 1000; background: rgba(255,255,255,0.94);
  border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.35); padding: 8px 10px;
  font: 13px/1.45 system-ui, sans-serif; color: #1F2933; }}
.terrmap-legend {{ right: 10px; bottom: 28px; max-height: 45vh; overflow: auto; }}
.terrmap-info {{ left: 54px; top: 10px; max-width: 40vw; }}
.terrmap-row {{ white-space: nowrap; }}
.terrmap-swatch {{ display: inline-block; width: 14px; height: 14px; margin-right: 6px;
  vertical-align: -2px; border: 1px solid #52606D; border-radius: 2px; }}
.terrmap-rep, .terrmap-id {{ color: #52606D; }}
.terrmap-notice {{ color: #8D2B0B; font-style: italic; }}
.terrmap-stop {{ width: 20px; height: 20px; border-radius: 10px; border: 2px solid #FFFFFF;
  box-sizing: border-box; color: #FFFFFF; font: bold 11px/16px system-ui, sans-serif;
  text-align: center; box-shadow: 0 0 2px rgba(0,0,0,0.6); }}
.terrmap-cluster {{ background-color: rgba(31, 41, 51, 0.25); }}
.terrmap-cluster div {{ background-color: rgba(31, 41, 51, 0.82); color: #FFFFFF;
  font-weight: 600; }}
.terrmap-popup table {{ border-collapse: collapse; margin-top: 4px; }}
"""
