#!/bin/sh
# Prints the WEB_CONCURRENCY a process should use: the value already set, or one
# derived from the container's memory limit and CPUs (cgroup v2, then v1).
# Sourced by .profile.d on Heroku and run by exec.d on CNB. POSIX sh only.

pybuildpack_web_concurrency() {
    if [ -n "${WEB_CONCURRENCY:-}" ]; then
        echo "$WEB_CONCURRENCY"
        return
    fi
    root="${PYBUILDPACK_CGROUP_ROOT:-/sys/fs/cgroup}"
    memory=""
    cpus=""
    if [ -r "$root/memory.max" ]; then
        memory=$(cat "$root/memory.max")
    elif [ -r "$root/memory/memory.limit_in_bytes" ]; then
        memory=$(cat "$root/memory/memory.limit_in_bytes")
    fi
    if [ -r "$root/cpu.max" ]; then
        # "max 100000" or "200000 100000": quota and period in microseconds
        set -- $(cat "$root/cpu.max")
        if [ "$1" != "max" ] && [ -n "${2:-}" ] && [ "$2" -gt 0 ] 2>/dev/null; then
            cpus=$(( ($1 + $2 - 1) / $2 ))
        fi
    elif [ -r "$root/cpu/cpu.cfs_quota_us" ] && [ -r "$root/cpu/cpu.cfs_period_us" ]; then
        quota=$(cat "$root/cpu/cpu.cfs_quota_us")
        period=$(cat "$root/cpu/cpu.cfs_period_us")
        if [ "$quota" -gt 0 ] 2>/dev/null && [ "$period" -gt 0 ] 2>/dev/null; then
            cpus=$(( (quota + period - 1) / period ))
        fi
    fi
    if [ -z "$cpus" ]; then
        cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    fi
    workers=$(( cpus * 2 + 1 ))
    # "max", empty, or a v1 "unlimited" value (about 2^63): no memory limit.
    case "$memory" in
        ''|max) ;;
        *)
            if [ ${#memory} -lt 16 ] && [ "$memory" -gt 0 ] 2>/dev/null; then
                # About 256 MiB per worker, and never fewer than one.
                by_memory=$(( memory / 268435456 ))
                [ "$by_memory" -lt 1 ] && by_memory=1
                [ "$by_memory" -lt "$workers" ] && workers=$by_memory
            fi
            ;;
    esac
    echo "$workers"
}
