"""``abm import KIND FILE``: import an accounting export from the command line."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from abm.imports.columns import KINDS
from abm.imports.refusals import wording
from abm.imports.row_reasons import row_reason
from abm.workspace.sections import N_
from abm.workspace.wording import number, percent


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--map", "maps", multiple=True, metavar="FIELD=HEADER",
              help="Read FIELD from the column HEADER (repeatable), e.g. revenue=Сумма.")
@click.option("--use-map", metavar="NAME", help="Start from the saved mapping NAME.")
@click.option("--save-map", metavar="NAME", help="Save the --map options as mapping NAME.")
@click.option("--strict", is_flag=True, help="Import nothing if any row is bad.")
@click.option("--sheet", metavar="NAME", help="XLSX sheet to read (default: the first).")
@click.option("--currency", metavar="CODE",
              help="Currency of the file's amounts when it has no currency column (ISO 4217, "
                   "default: the workspace's). Lines in another currency than the "
                   "workspace's are converted at the exchange rates, or reported.")
@click.option("--encoding", metavar="NAME",
              help="Encoding of a CSV file (utf-8, cp1251, koi8_r, cp1252, latin_1...; "
                   "default: detected). Giving it confirms it: the file is read so even "
                   "if its text looks wrong.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--no-refresh", is_flag=True,
              help="Do not refresh the analytics afterwards (run: abm analytics refresh).")
@with_appcontext
def import_cmd(kind, file, maps, use_map, save_map, strict, sheet, currency, encoding, fmt,
               no_refresh) -> None:
    """Import KIND (accounts, contacts, products, orders, receivables) from a CSV or XLSX FILE.

    Rows already imported are matched on their natural keys and updated only when
    they changed. A CSV file's encoding is detected and said; a file whose text
    reads implausibly in it is refused until --encoding confirms one. When the
    import changed anything, the analytics are refreshed right after it, in this
    process (no worker needed): shares, flags, ABC-XYZ, churn, alerts, the
    key-account report and the dashboard's figures. Exit code: 0 when every row
    was imported; 1 when some rows were reported (with --strict, then nothing was
    imported) or the import stopped part-way at an unusable line (the rows before
    it were imported, and the output says so); 2 when the file was refused and
    nothing was imported.
    """
    from abm.analytics.cli import refresh_here
    from abm.db import get_session
    from abm.imports import services
    from abm.imports.columns import parse_map_options
    from abm.imports.mappings import get_mapping, save_mapping
    from abm.imports.results import ImportFileError

    session = get_session()

    def on_batch(done: int, total: int, rows: int) -> None:
        session.commit()
        if fmt == "text":
            click.echo("  " + ngettext("%(count)s row read", "%(count)s rows read", rows,
                                       count=number(rows)), err=True)

    try:
        mapping = get_mapping(session, kind, use_map) if use_map else {}
        mapping.update(parse_map_options(maps))
        if save_map:
            save_mapping(session, kind, save_map, mapping)
        result = services.import_file(session, file, kind, mapping=mapping, strict=strict,
                                      sheet=sheet, currency=currency, encoding=encoding,
                                      on_batch=on_batch, name=file)
    except ImportFileError as exc:
        session.rollback()
        click.echo(_("Error: %(error)s", error=exc.message(_, number)), err=True)
        sys.exit(2)
    services.finish_import(session, file, result)
    session.commit()
    refresh = not no_refresh and result.changed_data
    if fmt == "json":
        data = result.to_dict()
        analytics = asdict(refresh_here(session)) if refresh else None
        click.echo(json.dumps({k: data[k] for k in ("created", "updated", "unchanged", "errors")}
                              | {k: data[k] for k in data
                                 if k not in ("created", "updated", "unchanged", "errors")}
                              | {"analytics": analytics},
                              ensure_ascii=False, default=str))
    else:
        _print_text(result, strict)
        if refresh:
            refresh_here(session, echo=lambda line: click.echo(line, err=True))
    if result.error_count or result.stopped:
        sys.exit(1)


KIND_NAMES = {"orders": N_("Order lines (shipments)"), "accounts": N_("Accounts"),
              "contacts": N_("Contacts"), "products": N_("Products"),
              "receivables": N_("Receivables"), "prices": N_("Price list")}


def _print_text(result, strict: bool) -> None:
    """The outcome in the command's language (field names and values quoted as in the file)."""
    if result.encoding:
        how = _("detected") if result.encoding_detected else _("given")
        click.echo(_("read as %(encoding)s (%(how)s, confidence %(confidence)s)",
                     encoding=result.encoding, how=how,
                     confidence=percent(result.encoding_confidence, 0)))
    click.echo(_("%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(bad)s bad rows", kind=_(KIND_NAMES.get(result.kind, result.kind)),
                 created=number(result.created), updated=number(result.updated),
                 unchanged=number(result.unchanged), bad=number(result.error_count)))
    if result.accounts_created or result.products_created:
        click.echo(_("also created %(accounts)s accounts and %(products)s products named by "
                     "the rows", accounts=number(result.accounts_created),
                     products=number(result.products_created)))
    for error in result.errors:
        click.echo(_("line %(line)s, column %(column)s, value %(value)s: %(reason)s",
                     line=error["line"], column=repr(error["column"]),
                     value=repr(error["value"]), reason=row_reason(error, _, number)))
    if result.error_count > len(result.errors):
        click.echo(_("... and %(n)s more", n=number(result.error_count - len(result.errors))))
    if strict and result.error_count:
        click.echo(_("nothing imported (--strict)"))
    if result.stopped:
        reason = (wording(result.stopped_code, result.stopped_params or {}, _, number)
                  if result.stopped_code else result.stopped)
        click.echo(_("stopped part-way: %(reason)s; the rows above were imported, the rest of "
                     "the file was not read (fix it and import it again: rows already in are "
                     "skipped)", reason=reason))
