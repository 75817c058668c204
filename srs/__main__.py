from srs.cli import main

main()
