from marketing.main import run

run()
