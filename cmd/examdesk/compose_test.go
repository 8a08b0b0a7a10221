package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeFile checks docker-compose.yml without a Docker engine: the
// bot gets exactly the variables serve reads, Redis keeps an append-only
// file on a volume and has a health check, and the bot waits for it.
func TestComposeFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	bot, ok := compose.Services["bot"]
	if !ok {
		t.Fatal("docker-compose.yml has no bot service")
	}
	var got []string
	for k := range bot.Environment {
		got = append(got, k)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(envVars))
	if !slices.Equal(got, want) {
		t.Errorf("bot environment = %v; want the variables serve reads %v", got, want)
	}
	if !strings.Contains(bot.Environment["TELEGRAM_BOT_TOKEN"], "${TELEGRAM_BOT_TOKEN") {
		t.Errorf("TELEGRAM_BOT_TOKEN = %q; want it read from .env", bot.Environment["TELEGRAM_BOT_TOKEN"])
	}
	if bot.Build == nil || !slices.Equal(bot.Command, []string{"serve"}) {
		t.Errorf("bot: build %v, command %v; want built from the Dockerfile and running serve", bot.Build, bot.Command)
	}
	if bot.DependsOn["redis"].Condition != "service_healthy" {
		t.Errorf("bot depends_on redis = %+v; want service_healthy", bot.DependsOn["redis"])
	}
	redis := compose.Services["redis"]
	if !slices.Contains(redis.Command, "--appendonly") || redis.Command[slices.Index(redis.Command, "--appendonly")+1] != "yes" {
		t.Errorf("redis command = %v; want --appendonly yes", redis.Command)
	}
	if redis.Healthcheck == nil || !slices.Contains(redis.Healthcheck.Test, "ping") {
		t.Errorf("redis healthcheck = %+v; want a redis-cli ping", redis.Healthcheck)
	}
	if len(redis.Volumes) == 0 || !strings.HasSuffix(redis.Volumes[0], ":/data") {
		t.Errorf("redis volumes = %v; want a volume on /data", redis.Volumes)
	}
	if _, ok := compose.Volumes[strings.Split(redis.Volumes[0], ":")[0]]; !ok {
		t.Errorf("volume %q is not declared", redis.Volumes[0])
	}
}

// TestServeReadsOnlyDeclaredVariables checks that every variable serve's
// code reads is listed in envVars (and so in the compose file).
func TestServeReadsOnlyDeclaredVariables(t *testing.T) {
	t.Parallel()
	read := regexp.MustCompile(`getenv\("([A-Z_]+)"\)`)
	for _, file := range []string{"config.go", "delivery.go", "app.go", "serve.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(envVars, m[1]) {
				t.Errorf("%s reads %s, which envVars (and docker-compose.yml) lack", file, m[1])
			}
		}
	}
}

// TestDockerfile checks the image is built in stages, statically, and runs
// as a user other than root.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	src := string(data)
	for _, want := range []string{"AS build", "CGO_ENABLED=0", "COPY --from=build", "USER nonroot"} {
		if !strings.Contains(src, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if strings.Count(src, "FROM ") < 2 {
		t.Errorf("Dockerfile has one stage; want a build stage and a runtime stage")
	}
}
