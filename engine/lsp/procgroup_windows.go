package lsp

import (
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// groupGoneWithin bounds waitGone.
const groupGoneWithin = time.Second

// sysProcAttr: nothing to set at creation; newGroup puts the server in a
// job object once started.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// group is the job object that holds a server and every process it
// starts (children join their parent's job). The job kills them all when
// its last handle closes (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE), so they go
// even should this process die without stopping them.
type group struct {
	mu  sync.Mutex
	job windows.Handle // 0 once closed
}

// newGroup puts p, just started, in a new job object. A process p starts
// before it joins is outside the job; a language server starts none that
// early.
func newGroup(p *os.Process) (*group, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("create job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		_ = windows.CloseHandle(job)
		return nil, fmt.Errorf("set job object limits: %w", err)
	}
	// p is not reaped yet, so its pid still names it.
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(p.Pid))
	if err != nil {
		_ = windows.CloseHandle(job)
		return nil, fmt.Errorf("open process %d: %w", p.Pid, err)
	}
	defer windows.CloseHandle(h)
	if err := windows.AssignProcessToJobObject(job, h); err != nil {
		_ = windows.CloseHandle(job)
		return nil, fmt.Errorf("assign process %d to its job object: %w", p.Pid, err)
	}
	return &group{job: job}, nil
}

// kill terminates every process of the job and, when given, the process
// itself.
func (g *group) kill(p *os.Process) {
	g.mu.Lock()
	if g.job != 0 {
		_ = windows.TerminateJobObject(g.job, 1)
	}
	g.mu.Unlock()
	if p != nil {
		_ = p.Kill()
	}
}

// jobAccounting is JOBOBJECT_BASIC_ACCOUNTING_INFORMATION.
type jobAccounting struct {
	TotalUserTime, TotalKernelTime                     int64
	ThisPeriodTotalUserTime, ThisPeriodTotalKernelTime int64
	TotalPageFaultCount, TotalProcesses                uint32
	ActiveProcesses, TotalTerminatedProcesses          uint32
}

// running reports whether a process of the job is still running; true
// when the job cannot be queried (the caller waits out its bound).
func (g *group) running() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.job == 0 {
		return false
	}
	var acct jobAccounting
	if err := windows.QueryInformationJobObject(g.job, windows.JobObjectBasicAccountingInformation,
		uintptr(unsafe.Pointer(&acct)), uint32(unsafe.Sizeof(acct)), nil); err != nil {
		return true
	}
	return acct.ActiveProcesses > 0
}

// waitGone waits, up to groupGoneWithin, until no process of the job is
// left running: TerminateJobObject returns before its processes have
// all ended.
func (g *group) waitGone() {
	deadline := time.Now().Add(groupGoneWithin)
	for time.Now().Before(deadline) && g.running() {
		time.Sleep(2 * time.Millisecond)
	}
}

// close releases the job, which kills whatever is still in it.
func (g *group) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.job != 0 {
		_ = windows.CloseHandle(g.job)
		g.job = 0
	}
}
