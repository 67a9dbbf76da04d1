#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "msg.h"
#include "vbuf.h"

int loop_add(struct sim *sim, struct sim_fd *f, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = f};

    return epoll_ctl(sim->epfd, EPOLL_CTL_ADD, f->fd, &ev);
}

void loop_del(struct sim *sim, struct sim_fd *f)
{
    epoll_ctl(sim->epfd, EPOLL_CTL_DEL, f->fd, NULL);
}

int truth_open(struct sim *sim, const char *path, struct vs_error *err)
{
    sim->truth_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (sim->truth_fd < 0)
        return vs_error_setc(err, errno, path, 0, 0, "cannot create: %s", strerror(errno));
    return 0;
}

static void add_json_string(struct vbuf *b, const char *s)
{
    vbuf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            vbuf_addc(b, '\\');
        if ((unsigned char)*s < 0x20)
            vbuf_addf(b, "\\u%04x", (unsigned char)*s);
        else
            vbuf_addc(b, *s);
    }
    vbuf_addc(b, '"');
}

void truth_emit(struct sim *sim, const char *ns, const char *name, const char *uid,
                const char *what)
{
    struct vbuf b = VBUF_INIT(4096);

    if (sim->truth_fd < 0)
        return;
    vbuf_addf(&b, "{\"t_ns\":%lld,\"namespace\":", (long long)clock_wall_ns());
    add_json_string(&b, ns);
    vbuf_adds(&b, ",\"name\":");
    add_json_string(&b, name);
    vbuf_adds(&b, ",\"uid\":");
    add_json_string(&b, uid ? uid : "");
    vbuf_adds(&b, ",\"what\":");
    add_json_string(&b, what);
    vbuf_adds(&b, "}\n");
    if (b.data && write(sim->truth_fd, b.data, b.len) != (ssize_t)b.len) {
        msg_error("truth file: write failed: %s; ground truth no longer recorded", strerror(errno));
        close(sim->truth_fd);
        sim->truth_fd = -1;
    }
    vbuf_release(&b);
}

void truth_close(struct sim *sim)
{
    if (sim->truth_fd >= 0)
        close(sim->truth_fd);
    sim->truth_fd = -1;
}
