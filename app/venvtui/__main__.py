from venvtui.cli.main import main

raise SystemExit(main())
