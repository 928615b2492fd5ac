#pragma once
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro that casts -1 to a destructor pointer, which Swift cannot import.
/// Binding with it makes SQLite copy the value before the bind call returns.
static inline sqlite3_destructor_type registrar_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
