"""The plan format, in one place (after Terraform's `planfile`): what
`plan --format json` prints and `plan --out FILE` saves, and the strict
reading of it back.

    version  FORMAT_VERSION and the one check of a plan's `format_version`
    writer   plan -> JSON data (`plan_data`, `change_data`; core.plan knows none of this),
             and a saved plan's data (its `wanted` record and digest)
    digest   the sha256 a saved plan carries over its changes and target
    reader   JSON data -> Plan, refusing what this program could not have
             written (parse_plan)
    saved    a saved plan's data -> Plan: version, digest, target, then
             the reader (read_saved)
    views    the keys only views read back (`appchat show`)
    record   a saved plan's `wanted`: what the files wanted, written and read
    causes   a change's `causes`, read back

Pure: no I/O. app/planfile.py reads and writes the file (size limit, FIFO
refusal, atomic write) and nothing else. The modules are imported by name
(`from reconciler.core.planformat import reader`); this package imports
none of them itself, so core/plan.py can use the writer.
"""
