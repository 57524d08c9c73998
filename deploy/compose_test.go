// Package deploy holds no code: its test loads the repository's
// docker-compose.yml and Dockerfile the way Docker Compose does and checks
// what an operator relies on without a Docker engine to try them.
package deploy

import (
	"bufio"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// builtImage is the image the compose file builds from the Dockerfile.
const builtImage = "warrantdesk:local"

// digestTODO lists the images still pinned by version only: their digests
// could not be looked up where the pins were written (no registry was
// reachable), and a digest is looked up, never guessed. Append
// @sha256:… to an image (`docker buildx imagetools inspect IMAGE:TAG`) and
// remove it here; the test fails while an image is in neither state.
var digestTODO = []string{
	"postgres:16.16",
	"quay.io/keycloak/keycloak:26.6.4",
	"golang:1.26.8",
	"gcr.io/distroless/static-debian12:nonroot",
	"chrislusf/seaweedfs:4.53",
}

// rePinned is name:version, optionally @sha256:digest, where version is a
// release number (16.16, 26.6.4, 1.26.8), not a floating major or "latest".
var rePinned = regexp.MustCompile(`^([a-z0-9][a-z0-9._/-]*):(\d+\.\d+(?:\.\d+)?)(@sha256:[0-9a-f]{64})?$`)

// reDistroless is a distroless image: they have no version tags ("nonroot"
// names the user), so only a digest pins one.
var reDistroless = regexp.MustCompile(`^gcr\.io/distroless/[a-z0-9-]+:[a-z0-9-]+(@sha256:[0-9a-f]{64})?$`)

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	// No variables from the environment: the defaults in the file must do.
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  "..",
		ConfigFiles: []types.ConfigFile{{Filename: "../docker-compose.yml"}},
		Environment: types.Mapping{},
	})
	if err != nil {
		t.Fatalf("docker-compose.yml does not load under the compose specification: %v", err)
	}
	return p
}

// TestComposeFile: docker-compose.yml validates against the compose
// specification's schema (the loader checks it) and starts anywhere: one
// service builds the image, with the VERSION build argument; every port is
// published on loopback only; every replica has the healthcheck `up --wait`
// waits for, and one-shot jobs none; nothing leaves an anonymous volume.
func TestComposeFile(t *testing.T) {
	p := loadCompose(t)

	var builders []string
	for name, s := range p.Services {
		if s.Build != nil {
			builders = append(builders, name)
			if v := s.Build.Args["VERSION"]; v == nil || *v == "" {
				t.Errorf("%s builds the image without the VERSION build argument", name)
			}
			if s.Image != builtImage {
				t.Errorf("%s builds image %q, want %q", name, s.Image, builtImage)
			}
		}
	}
	if len(builders) != 1 {
		t.Errorf("services building an image: %v, want exactly one (several building one tag fail under Bake)", builders)
	}

	for name, s := range p.Services {
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s on %q, want 127.0.0.1", name, port.Published, port.HostIP)
			}
		}
	}

	oneShot := map[string]bool{}
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				oneShot[dep] = true
			}
		}
	}
	for name, s := range p.Services {
		if s.Image != builtImage {
			continue
		}
		hc := s.HealthCheck
		switch {
		case oneShot[name]:
			if hc == nil || !hc.Disable {
				t.Errorf("%s is a one-shot job: its healthcheck should be disabled, it serves nothing", name)
			}
		case len(s.Command) > 0 && s.Command[0] == "serve":
			want := []string{"CMD", "/warrantdesk", "healthcheck"}
			if hc == nil || hc.Disable || !slices.Equal(hc.Test, want) {
				t.Errorf("%s: healthcheck %+v, want test %q", name, hc, want)
			} else if hc.Timeout == nil || hc.Interval == nil {
				t.Errorf("%s: healthcheck without timeout or interval", name)
			}
		default:
			t.Errorf("%s runs %q: neither a replica (serve) nor a one-shot job other services wait for", name, s.Command)
		}
	}

	// A volume mount without a source is anonymous: it outlives its
	// container unnoticed. The postgres image declares a VOLUME for its
	// data directory, so a service on it that keeps no data mounts a tmpfs
	// there instead.
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source == "" {
				t.Errorf("%s mounts an anonymous volume at %s", name, v.Target)
			}
		}
		if strings.HasPrefix(s.Image, "postgres:") {
			const dataDir = "/var/lib/postgresql/data"
			mounted := slices.Contains(s.Tmpfs, dataDir) || slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
				return v.Target == dataDir && v.Source != ""
			})
			if !mounted {
				t.Errorf("%s runs the postgres image with nothing at %s: Docker gives it an anonymous volume", name, dataDir)
			}
		}
	}
}

// TestImagesPinned: every image compose pulls and every base image of the
// Dockerfile is pinned to a release, and by digest unless listed in
// digestTODO; the Dockerfile declares no VOLUME (it would give one-shot
// containers anonymous volumes) and has a HEALTHCHECK running the binary.
func TestImagesPinned(t *testing.T) {
	images := map[string]string{} // image → where it is used
	for name, s := range loadCompose(t).Services {
		if s.Image != builtImage {
			images[s.Image] = "docker-compose.yml service " + name
		}
	}
	from, instructions := dockerfile(t)
	for _, img := range from {
		images[img] = "Dockerfile"
	}
	if slices.Contains(instructions, "VOLUME") {
		t.Error("the Dockerfile declares a VOLUME: containers that mount nothing there (migrate) leave an anonymous volume behind")
	}
	if !slices.Contains(instructions, "HEALTHCHECK") {
		t.Error("the Dockerfile has no HEALTHCHECK")
	}

	used := map[string]bool{} // images without their digests
	for img, where := range images {
		used[strings.Split(img, "@")[0]] = true
		var digest string
		if m := rePinned.FindStringSubmatch(img); m != nil {
			digest = m[3]
		} else if m := reDistroless.FindStringSubmatch(img); m != nil {
			digest = m[1]
		} else {
			t.Errorf("%s: image %q is not pinned to a release (name:1.2.3)", where, img)
			continue
		}
		todo := slices.Contains(digestTODO, strings.TrimSuffix(img, digest))
		switch {
		case digest == "" && !todo:
			t.Errorf("%s: image %q has no @sha256: digest", where, img)
		case digest != "" && todo:
			t.Errorf("%s: image %q is pinned by digest now: remove it from digestTODO", where, img)
		case todo:
			t.Logf("%s: %q still without a digest (digestTODO)", where, img)
		}
	}
	for _, img := range digestTODO {
		if !used[img] {
			t.Errorf("digestTODO names %q, which nothing uses: remove it", img)
		}
	}
}

// dockerfile returns the base images of ../Dockerfile with the ARG defaults
// declared before the first FROM substituted (stage names left out), and
// every instruction it uses (lines ending in \ continue on the next).
func dockerfile(t *testing.T) (images, instructions []string) {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	args := map[string]string{}
	stages := map[string]bool{}
	sc := bufio.NewScanner(f)
	continued := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		wasContinued := continued
		continued = strings.HasSuffix(line, "\\")
		fields := strings.Fields(line)
		if wasContinued || len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		instr := strings.ToUpper(fields[0])
		instructions = append(instructions, instr)
		switch instr {
		case "ARG":
			if k, v, ok := strings.Cut(fields[1], "="); ok && len(images) == 0 {
				args[k] = v
			}
		case "FROM":
			rest := slices.DeleteFunc(fields[1:], func(f string) bool { return strings.HasPrefix(f, "--") })
			img := os.Expand(rest[0], func(k string) string { return args[k] })
			if len(rest) == 3 && strings.EqualFold(rest[1], "AS") {
				stages[rest[2]] = true
			}
			if !stages[img] {
				images = append(images, img)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return images, instructions
}
