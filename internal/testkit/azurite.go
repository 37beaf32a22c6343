package testkit

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// AzuriteAccount is Azurite's well-known development account (public,
// documented by Microsoft) at the ports one test process started it on.
type AzuriteAccount struct {
	QueueURL, TableURL string
}

// ConnectionString is the AzureWebJobsStorage value naming this Azurite.
func (a AzuriteAccount) ConnectionString() string {
	return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
		"AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
		"QueueEndpoint=" + a.QueueURL + ";TableEndpoint=" + a.TableURL + ";"
}

var azurite struct {
	once    sync.Once
	cmd     *exec.Cmd
	account AzuriteAccount
	err     error
	skip    string
}

// Azurite starts one in-memory Azurite (queues and tables) for the whole
// test process on free loopback ports, the first time a test asks; the
// package's TestMain stops it with StopAzurite. The test is skipped when
// npm cannot install it.
func Azurite(tb testing.TB) AzuriteAccount {
	tb.Helper()
	azurite.once.Do(func() {
		var bin string
		func() {
			defer func() { // NPMTool skips through tb; remember why for every later caller
				if tb.Skipped() {
					azurite.skip = "azurite could not be installed"
				}
			}()
			bin = NPMTool(tb, "azurite@3", "azurite", "AZURITE")
		}()
		if bin == "" {
			return
		}
		azurite.account, azurite.cmd, azurite.err = startAzurite(bin)
	})
	if azurite.skip != "" {
		tb.Skip(azurite.skip)
	}
	if azurite.err != nil {
		tb.Fatalf("azurite: %v", azurite.err)
	}
	return azurite.account
}

// AzuriteFor starts an Azurite of the test's own, stopped when it ends: for
// packages with one or two tests that need it and no TestMain.
func AzuriteFor(tb testing.TB) AzuriteAccount {
	tb.Helper()
	bin := NPMTool(tb, "azurite@3", "azurite", "AZURITE")
	a, cmd, err := startAzurite(bin)
	if err != nil {
		tb.Fatalf("azurite: %v", err)
	}
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return a
}

// StopAzurite stops the process Azurite started, if any.
func StopAzurite() {
	if azurite.cmd != nil && azurite.cmd.Process != nil {
		azurite.cmd.Process.Kill()
		azurite.cmd.Wait()
	}
}

func startAzurite(bin string) (AzuriteAccount, *exec.Cmd, error) {
	ports, err := freePorts(3)
	if err != nil {
		return AzuriteAccount{}, nil, err
	}
	cmd := exec.Command(bin, "--inMemoryPersistence", "--silent", "--skipApiVersionCheck",
		"--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
		"--blobPort", strconv.Itoa(ports[0]), "--queuePort", strconv.Itoa(ports[1]), "--tablePort", strconv.Itoa(ports[2]))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Dir = os.TempDir() // it writes a debug log nowhere with --silent, but keep it out of the package
	if err := cmd.Start(); err != nil {
		return AzuriteAccount{}, nil, err
	}
	a := AzuriteAccount{
		QueueURL: fmt.Sprintf("http://127.0.0.1:%d/devstoreaccount1", ports[1]),
		TableURL: fmt.Sprintf("http://127.0.0.1:%d/devstoreaccount1", ports[2]),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, p := range ports[1:] {
		if err := waitListening(ctx, p); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return AzuriteAccount{}, nil, fmt.Errorf("port %d never answered: %w\n%s", p, err, stderr.String())
		}
	}
	return a, cmd, nil
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func waitListening(ctx context.Context, port int) error {
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
