package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

type kustomization struct {
	dir        string
	file       string
	k          types.Kustomization
	renderable bool
}

// loadKustomization decodes the kustomization as kustomize does (unknown fields fail), checks
// that every manifest file is one of its resources and that the generators' files exist.
func loadKustomization(dir, file string, manifests []string, r *report) *kustomization {
	data, err := os.ReadFile(file)
	if err != nil {
		r.problem(file, "%v", err)
		return nil
	}
	kust := &kustomization{dir: dir, file: file, renderable: true}
	if err := kust.k.Unmarshal(data); err != nil {
		r.problem(file, "%v", err)
		return nil
	}
	for _, message := range kust.k.EnforceFields() {
		r.problem(file, "%s", message)
	}
	for _, message := range *kust.k.CheckDeprecatedFields() {
		r.warning(file, "%s", strings.TrimPrefix(message, "# Warning: "))
	}
	kust.k.FixKustomization()

	listed := map[string]bool{}
	var listedDirs []string
	for _, resource := range kust.k.Resources {
		if strings.Contains(resource, "://") || strings.HasPrefix(resource, "github.com/") {
			continue // remote resource: not this check's business
		}
		path := filepath.Join(dir, resource)
		info, err := os.Stat(path)
		if err != nil {
			r.problem(file, "resources: %s does not exist", resource)
			kust.renderable = false
			continue
		}
		if info.IsDir() {
			listedDirs = append(listedDirs, path+string(filepath.Separator))
		}
		listed[filepath.Clean(path)] = true
	}
	for _, manifest := range manifests {
		if listed[filepath.Clean(manifest)] || underAny(manifest, listedDirs) {
			continue
		}
		rel, _ := filepath.Rel(dir, manifest)
		r.problem(manifest, "not listed in %s resources: `kubectl apply -k` would leave it out (add %q)", filepath.Base(file), rel)
	}

	for _, source := range kust.generatorFiles() {
		path := filepath.Join(dir, source)
		if _, err := os.Stat(path); err == nil {
			continue
		}
		rel, relErr := filepath.Rel(dir, path)
		if relErr == nil && !strings.HasPrefix(rel, "..") {
			r.problem(file, "generator file %s does not exist", source)
		} else {
			r.notes = append(r.notes, fmt.Sprintf("%s: generator file %s does not exist yet, so the kustomize render is not checked", file, source))
		}
		kust.renderable = false
	}
	return kust
}

func underAny(path string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(filepath.Clean(path), filepath.Clean(d)+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// generatorFiles lists the files the ConfigMap and Secret generators read, relative to dir.
func (kust *kustomization) generatorFiles() []string {
	var files []string
	add := func(sources types.KvPairSources) {
		for _, source := range sources.FileSources {
			if _, path, found := strings.Cut(source, "="); found {
				source = path
			}
			files = append(files, source)
		}
		files = append(files, sources.EnvSources...)
		if sources.EnvSource != "" {
			files = append(files, sources.EnvSource)
		}
	}
	for _, g := range kust.k.ConfigMapGenerator {
		add(g.KvPairSources)
	}
	for _, g := range kust.k.SecretGenerator {
		add(g.KvPairSources)
	}
	return files
}

// generatedNames are the names of the ConfigMaps and Secrets the generators make (before
// kustomize adds the content hash), which manifests may refer to.
func (kust *kustomization) generatedNames() map[string]bool {
	names := map[string]bool{}
	for _, g := range kust.k.ConfigMapGenerator {
		names["ConfigMap/"+g.Name] = true
	}
	for _, g := range kust.k.SecretGenerator {
		names["Secret/"+g.Name] = true
	}
	return names
}

// generatedData is the content of the ConfigMap generators' files that can be read (by
// ConfigMap name, then key), so that rules can look into a generated ConfigMap before the render.
func (kust *kustomization) generatedData() map[string]map[string]string {
	data := map[string]map[string]string{}
	for _, g := range kust.k.ConfigMapGenerator {
		content := map[string]string{}
		complete := true
		for _, source := range g.KvPairSources.FileSources {
			key, file, found := strings.Cut(source, "=")
			if !found {
				key, file = filepath.Base(source), source
			}
			text, err := os.ReadFile(filepath.Join(kust.dir, file))
			if err != nil {
				complete = false
				break
			}
			content[key] = string(text)
		}
		if complete && len(g.KvPairSources.LiteralSources) == 0 && len(g.KvPairSources.EnvSources) == 0 && g.KvPairSources.EnvSource == "" {
			data[g.Name] = content
		}
	}
	return data
}

// generatorPaths are the generators' files as paths to read, for the scan for embedded secrets.
func (kust *kustomization) generatorPaths() []string {
	var paths []string
	for _, file := range kust.generatorFiles() {
		paths = append(paths, filepath.Join(kust.dir, file))
	}
	return paths
}

// render builds the kustomization with kustomize's library, as `kubectl kustomize
// --load-restrictor LoadRestrictionsNone` does, and returns one YAML document per object.
func (kust *kustomization) render() ([][]byte, error) {
	options := krusty.MakeDefaultOptions()
	options.LoadRestrictions = types.LoadRestrictionsNone
	resources, err := krusty.MakeKustomizer(options).Run(filesys.MakeFsOnDisk(), kust.dir)
	if err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, resource := range resources.Resources() {
		doc, err := resource.AsYAML()
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, nil
}
