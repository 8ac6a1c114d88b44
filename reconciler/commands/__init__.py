"""The imperative shell: one module per command, each exposing
`run(args) -> exit code`. They wire config, client, planner, executor and
renderers together; the logic lives in those modules."""
