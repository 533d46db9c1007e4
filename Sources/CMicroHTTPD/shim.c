#define _GNU_SOURCE
#include "CMicroHTTPD.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    suivi_mhd_log_callback callback;
    void *cls;
} suivi_logger;

/* The logger must outlive the daemon; one daemon per process is the norm,
   but tests start several, so each start gets its own slot. */
#define SUIVI_MAX_LOGGERS 256
static suivi_logger loggers[SUIVI_MAX_LOGGERS];
static unsigned int next_logger = 0;

static void forward_log(void *cls, const char *format, va_list arguments) {
    suivi_logger *logger = cls;
    char message[512];
    vsnprintf(message, sizeof message, format, arguments);
    size_t length = strlen(message);
    while (length > 0 && (message[length - 1] == '\n' || message[length - 1] == '\r')) {
        message[--length] = '\0';
    }
    if (logger != NULL && logger->callback != NULL) {
        logger->callback(logger->cls, message);
    }
}

struct MHD_Daemon *suivi_mhd_start(const suivi_mhd_config *config,
                                   MHD_AccessHandlerCallback access_handler,
                                   void *access_handler_cls,
                                   MHD_RequestCompletedCallback completed,
                                   void *completed_cls,
                                   MHD_NotifyConnectionCallback connection_notified,
                                   void *connection_notified_cls,
                                   suivi_mhd_log_callback log_callback,
                                   void *log_cls,
                                   char *error_out,
                                   size_t error_out_length) {
    struct sockaddr_in address4;
    struct sockaddr_in6 address6;
    struct sockaddr *address = NULL;
    unsigned int flags = config->flags;

    memset(&address4, 0, sizeof address4);
    memset(&address6, 0, sizeof address6);
    if (inet_pton(AF_INET, config->bind_address, &address4.sin_addr) == 1) {
        address4.sin_family = AF_INET;
        address4.sin_port = htons(config->port);
        address = (struct sockaddr *)&address4;
    } else if (inet_pton(AF_INET6, config->bind_address, &address6.sin6_addr) == 1) {
        address6.sin6_family = AF_INET6;
        address6.sin6_port = htons(config->port);
        address = (struct sockaddr *)&address6;
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(error_out, error_out_length, "not a numeric IP address: %s", config->bind_address);
        return NULL;
    }

    suivi_logger *logger = &loggers[__atomic_fetch_add(&next_logger, 1, __ATOMIC_SEQ_CST) % SUIVI_MAX_LOGGERS];
    logger->callback = log_callback;
    logger->cls = log_cls;

    struct MHD_OptionItem options[] = {
        { MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)forward_log, logger },
        { MHD_OPTION_SOCK_ADDR, 0, address },
        { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, completed_cls },
        { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connection_notified, connection_notified_cls },
        { MHD_OPTION_CONNECTION_LIMIT, config->connection_limit, NULL },
        { MHD_OPTION_PER_IP_CONNECTION_LIMIT, config->per_ip_connection_limit, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, config->connection_timeout_seconds, NULL },
        { MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)config->connection_memory_limit, NULL },
        { MHD_OPTION_LISTEN_BACKLOG_SIZE, config->listen_backlog, NULL },
        { MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL },
        { config->thread_pool_size > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
          config->thread_pool_size, NULL },
        { MHD_OPTION_END, 0, NULL },
    };

    struct MHD_Daemon *daemon = MHD_start_daemon(flags, config->port, NULL, NULL,
                                                 access_handler, access_handler_cls,
                                                 MHD_OPTION_ARRAY, options,
                                                 MHD_OPTION_END);
    if (daemon == NULL) {
        snprintf(error_out, error_out_length,
                 "libmicrohttpd could not start on %s port %u (address in use or not allowed)",
                 config->bind_address, (unsigned)config->port);
    }
    return daemon;
}

uint16_t suivi_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

int suivi_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

void *suivi_mhd_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

int suivi_mhd_client_address(struct MHD_Connection *connection, char *buffer, size_t length) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return -1;
    const struct sockaddr *address = info->client_addr;
    const void *source = NULL;
    if (address->sa_family == AF_INET) {
        source = &((const struct sockaddr_in *)address)->sin_addr;
    } else if (address->sa_family == AF_INET6) {
        source = &((const struct sockaddr_in6 *)address)->sin6_addr;
    } else {
        return -1;
    }
    return inet_ntop(address->sa_family, source, buffer, (socklen_t)length) == NULL ? -1 : 0;
}

const void *suivi_find_bytes(const void *haystack, size_t haystack_length,
                             const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}
