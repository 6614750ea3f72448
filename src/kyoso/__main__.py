from kyoso.cli import main

main()
