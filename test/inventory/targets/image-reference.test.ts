import { describe, expect, it } from 'vitest';
import { MAX_REFERENCE_LENGTH, MAX_REFERENCES, parseReference, shownReference, shownReferences } from '../../../src/inventory/targets/image-reference.js';

// Cases from the grammar of https://github.com/distribution/reference (reference.go) and the names
// docker, containerd and skopeo write.
describe('an image reference', () => {
  it.each([
    { name: 'docker save RepoTags of a local build', text: 'vigil-test/debian12-small:1', tagAlone: false, want: { repository: 'vigil-test/debian12-small', tag: '1' } },
    { name: 'a registry with a port', text: 'localhost:5000/team/app:2.1', tagAlone: false, want: { repository: 'localhost:5000/team/app', tag: '2.1' } },
    { name: 'containerd: full name, no tag', text: 'docker.io/library/debian', tagAlone: false, want: { repository: 'docker.io/library/debian' } },
    { name: 'a tag and a digest', text: 'ghcr.io/o/r:v1@sha256:' + 'a'.repeat(64), tagAlone: false, want: { repository: 'ghcr.io/o/r', tag: 'v1' } },
    { name: 'OCI ref.name that is a tag alone', text: '12-slim', tagAlone: true, want: { tag: '12-slim' } },
    { name: 'OCI ref.name that is a full reference', text: 'docker.io/library/debian:12', tagAlone: true, want: { repository: 'docker.io/library/debian', tag: '12' } },
    { name: 'upper case in a path', text: 'Team/App:1', tagAlone: false, want: undefined },
    { name: 'a newline', text: 'app:1\n::error::x', tagAlone: false, want: undefined },
    { name: 'a tag of 129 characters', text: `app:${'t'.repeat(129)}`, tagAlone: false, want: undefined },
    { name: 'a name longer than 255', text: `${'a'.repeat(256)}:1`, tagAlone: false, want: undefined },
    { name: 'an empty string', text: '', tagAlone: true, want: undefined },
  ])('$name', ({ text, tagAlone, want }) => {
    expect(parseReference(text, tagAlone)).toEqual(want);
  });

  it.each([
    { name: 'escape and bidi controls', text: 'app:1\u001b[31m\u202e', want: 'app:1\\x1b[31m\\u{202e}' },
    { name: 'a newline', text: 'a\nb', want: 'a\\nb' },
  ])('is shown with $name visible', ({ text, want }) => {
    expect(shownReference(text)).toBe(want);
  });

  it('is cut when very long, and the list of names is bounded', () => {
    const long = shownReference('x'.repeat(100_000));
    expect(long.length).toBeLessThan(MAX_REFERENCE_LENGTH + 40);
    expect(long).toContain('(100000 characters)');
    const many = shownReferences(Array.from({ length: 1000 }, (_, i) => `app:${i}`));
    expect(many).toHaveLength(MAX_REFERENCES + 1);
    expect(many.at(-1)).toBe(`... and ${1000 - MAX_REFERENCES} more`);
  });
});
