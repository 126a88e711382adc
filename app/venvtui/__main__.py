from venvtui.cli.entry import main

raise SystemExit(main())
