#ifndef SUIVI_CMICROHTTPD_H
#define SUIVI_CMICROHTTPD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Everything Suivi sets when it starts a daemon. Swift cannot call the
/// variadic MHD_start_daemon, so the shim turns this struct into an
/// MHD_OPTION_ARRAY.
typedef struct suivi_mhd_config {
    unsigned int flags;
    uint16_t port;
    /// Numeric IPv4 or IPv6 address to bind ("127.0.0.1", "::1", "0.0.0.0").
    const char *bind_address;
    unsigned int connection_limit;
    unsigned int per_ip_connection_limit;
    unsigned int connection_timeout_seconds;
    size_t connection_memory_limit;
    unsigned int thread_pool_size;
    unsigned int listen_backlog;
} suivi_mhd_config;

/// Receives libmicrohttpd's own error messages, already formatted.
typedef void (*suivi_mhd_log_callback)(void *cls, const char *message);

/// Starts a daemon, or returns NULL and writes a reason into `error_out`.
/// `connection_notified` hears of every connection opened and closed.
struct MHD_Daemon *suivi_mhd_start(const suivi_mhd_config *config,
                                   MHD_AccessHandlerCallback access_handler,
                                   void *access_handler_cls,
                                   MHD_RequestCompletedCallback completed,
                                   void *completed_cls,
                                   MHD_NotifyConnectionCallback connection_notified,
                                   void *connection_notified_cls,
                                   suivi_mhd_log_callback logger,
                                   void *logger_cls,
                                   char *error_out,
                                   size_t error_out_length);

/// The port the daemon is bound to (useful after asking for port 0).
uint16_t suivi_mhd_bound_port(struct MHD_Daemon *daemon);

/// The connection's socket, or -1.
int suivi_mhd_connection_fd(struct MHD_Connection *connection);

/// What the connection-notify callback stored for this connection, or NULL.
void *suivi_mhd_socket_context(struct MHD_Connection *connection);

/// Writes the peer's numeric address into `buffer`; returns 0 on success.
int suivi_mhd_client_address(struct MHD_Connection *connection, char *buffer, size_t length);

/// glibc's memmem (hidden from Swift behind _GNU_SOURCE), for multipart parsing.
const void *suivi_find_bytes(const void *haystack, size_t haystack_length,
                             const void *needle, size_t needle_length);

#endif
