from kamtui.cli import run

run()
