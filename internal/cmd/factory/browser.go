package factory

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// openBrowser opens url with $BROWSER if set (a command; "%s" in it stands
// for the URL), else the platform's opener. It does not wait for the
// browser to exit.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	if b := os.Getenv("BROWSER"); b != "" {
		args := strings.Fields(b)
		if strings.Contains(b, "%s") {
			for i, a := range args {
				args[i] = strings.ReplaceAll(a, "%s", url)
			}
		} else {
			args = append(args, url)
		}
		cmd = exec.Command(args[0], args[1:]...)
	} else {
		switch runtime.GOOS {
		case "darwin":
			cmd = exec.Command("open", url)
		case "windows":
			cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
		default:
			cmd = exec.Command("xdg-open", url)
		}
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// HeadlessReason says why this machine cannot show a browser, or "" if it
// probably can, from the environment and the files that mark a container.
// $BROWSER overrides the guess: whoever set it knows.
func HeadlessReason(getenv func(string) string, exists func(path string) bool) string {
	if getenv("BROWSER") != "" {
		return ""
	}
	switch {
	case getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "":
		return "this is an SSH session"
	case runtime.GOOS == "linux" && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "":
		return "there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"
	case exists("/.dockerenv") || exists("/run/.containerenv"):
		return "this is a container"
	}
	return ""
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}

func stdinIsTerminal() bool {
	fi, err := os.Stdin.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
