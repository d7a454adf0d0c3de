"""Steps that several use cases share (load-or-404, a fresh Octopus token, the dossier list): small
functions and classes that use cases call, never use cases themselves."""
