# Writes OUT, a C++ source holding each file of FILES (a |-separated list) as a string,
# so the lookups are part of the binary and need no file at run time.
set(text "// Generated from commands/lookups/*.json by embed.cmake; do not edit.\n")
string(APPEND text "#include \"commands/lookup_data.h\"\n\nnamespace iam::commands {\n\n")
string(APPEND text "const std::vector<LookupFile>& LookupFiles() {\n  static const std::vector<LookupFile> files = {\n")
string(REPLACE "|" ";" files "${FILES}")
foreach(file ${files})
  get_filename_component(name ${file} NAME)
  file(READ ${file} content)
  string(APPEND text "      {\"${name}\", R\"iamd-lookup(${content})iamd-lookup\"},\n")
endforeach()
string(APPEND text "  };\n  return files;\n}\n\n}  // namespace iam::commands\n")
file(WRITE ${OUT} "${text}")
