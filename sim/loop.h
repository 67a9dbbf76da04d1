/*
 * loop.h - file descriptors in the simulator's epoll loop, and the truth file.
 *
 * A struct sim_fd (owned by whoever registers it) pairs an fd with the
 * function to call when epoll reports it.
 */
#ifndef SIM_LOOP_H
#define SIM_LOOP_H

#include <stdint.h>

#include "error.h"
#include "sim.h"

struct sim_fd;
typedef void (*sim_fd_fn)(struct sim *sim, struct sim_fd *f, uint32_t events);

struct sim_fd {
    int fd;
    sim_fd_fn fn;
    void *arg;
};

int loop_add(struct sim *sim, struct sim_fd *f, uint32_t events);
void loop_del(struct sim *sim, struct sim_fd *f);

/* Open the ground-truth file (one JSON line per transition). */
int truth_open(struct sim *sim, const char *path, struct vs_error *err);
/* Record that `what` happened now to VM ns/name (uid of its VMI, or ""). */
void truth_emit(struct sim *sim, const char *ns, const char *name, const char *uid,
                const char *what);
void truth_close(struct sim *sim);

#endif
