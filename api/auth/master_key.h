// The master key that encrypts the secret store (decision D-12).
//
// Taken from IAMD_MASTER_KEY (base64 of 32 bytes) when set, else from a key
// file (base64 text, mode 0600) that is created with a random key on first
// start. Backups of the data directory must keep the key apart from the data.
#pragma once

#include <string>

#include "events/status.h"

namespace iam::api {

// The key of IAMD_MASTER_KEY (`environment_value`) when set, else of
// `key_file`; never creates one. 32 raw bytes. kNotFound when neither
// exists; kInvalidArgument when the one used holds no valid key.
Result<std::string> LoadMasterKey(const char* environment_value, const std::string& key_file);

// LoadMasterKey, but a missing key file is created with a random key.
// 32 raw bytes. kInvalidArgument when the variable or file holds no valid
// key; kIOError when the file cannot be read or created.
Result<std::string> LoadOrCreateMasterKey(const char* environment_value, const std::string& key_file);

}  // namespace iam::api
