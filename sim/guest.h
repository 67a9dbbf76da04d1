/*
 * guest.h - what a simulated VM shows on the network once its guest is up:
 * its IP is its own loopback address (127.B.x.y, B picked per simulator), where it accepts TCP on
 * the guest port (22 by default: an SSH banner, then close), and serves
 * http://IP:FIO_PORT/fio.json once its fio benchmark finished (404 before;
 * nothing on that port with --no-fio, sim->opt.fio_port 0).
 * ICMP to 127/8 is answered by the kernel, so an ICMP probe sees a guest as
 * soon as its IP is published (MODEL.md says so).
 *
 * A struct guest is owned by the controller (guest_open/guest_close).
 */
#ifndef SIM_GUEST_H
#define SIM_GUEST_H

#include "error.h"
#include "sim.h"

struct guest;

/*
 * Before the first guest: check that guests can listen at --guest-port and
 * --fio-port unless 0 (nothing listens on all addresses there) and pick this
 * simulator's 127.B.0.0/16 block. -1 with err naming the port and the option.
 */
int guest_setup(struct sim *sim, struct vs_error *err);

/* Allocate the next loopback address of this simulator's block (guest_setup) into ip[16]. */
void guest_next_ip(struct sim *sim, char ip[16]);

/* Start accepting on ip: the guest's network is ready. NULL with err. */
struct guest *guest_open(struct sim *sim, const char *ip, struct vs_error *err);

/* The fio JSON to serve from now on (copied). */
void guest_set_fio(struct guest *g, const char *json);

/* Stop accepting and free. Accepts NULL. */
void guest_close(struct sim *sim, struct guest *g);

#endif
