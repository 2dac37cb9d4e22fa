"""`jackpot catalog import|export`: the catalogue file in and out."""

import json
import sys
from pathlib import Path

from jackpot.cli.base import CommandError, actions, print_json


def cmd_catalog_import(args) -> int:
    from jackpot.catalog import importer
    from jackpot.vouchers import catalogue_import

    try:
        report = catalogue_import.import_catalog(importer.load_file(args.file))
    except importer.CatalogError as exc:
        raise CommandError(str(exc)) from None
    print_json(report.as_dict())
    return 0


def cmd_catalog_export(args) -> int:
    from jackpot.catalog import importer

    text = json.dumps(importer.export_catalog(), indent=2, ensure_ascii=False) + "\n"
    if args.file and args.file != "-":
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"catalogue written to {args.file}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def add_parsers(sub) -> None:
    catalog_sub = actions(sub, "catalog", "import or export the catalogue file")
    c_import = catalog_sub.add_parser("import", help="load stores and campaigns from FILE")
    c_import.add_argument("file")
    c_import.set_defaults(handler=cmd_catalog_import)
    c_export = catalog_sub.add_parser("export", help="write the catalogue as JSON")
    c_export.add_argument("file", nargs="?", default="-", help="default: standard output")
    c_export.set_defaults(handler=cmd_catalog_export)
