"""Data coming into Muster from other systems: Common Transfer Files from a pupil's old school,
the children-looked-after (SSDA903) records of a local authority; and the data-quality checks
(`muster lint`). Issue "Interoperability"; what is known of each format is in
`shared/domain/interop.md`."""
