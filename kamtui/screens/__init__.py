"""The Textual user interface: screens and the widgets they share.

Only this package and ``kamtui/app.py`` may import ``textual``. Importing the
package itself stays cheap: screens and widgets are imported from their modules.
"""
