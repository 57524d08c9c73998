package disclosure

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"filippo.io/age"
)

// KeyPrefix marks an encoded production key, so that a key pasted into the
// wrong setting is recognised.
const KeyPrefix = "warrantdesk-production-key-v1:"

// Keys are the production keys, both derived from one 32-byte secret seed:
// the Ed25519 key that signs every manifest, and the secret each package's
// at-rest key is derived from. The seed lives in configuration (or, for the
// demo, in a file of the data directory), never in the database, so a copy
// of the database and the blob store together still opens no package.
type Keys struct {
	sign   ed25519.PrivateKey
	atRest []byte
}

// NewKeys derives the keys from a 32-byte seed. Returns an error for a
// seed of another length.
func NewKeys(seed []byte) (*Keys, error) {
	if len(seed) != 32 {
		return nil, fmt.Errorf("disclosure: the production key seed must be 32 bytes, not %d", len(seed))
	}
	signSeed, err := hkdf.Key(sha256.New, seed, nil, "warrantdesk production manifest signing v1", ed25519.SeedSize)
	if err != nil {
		return nil, fmt.Errorf("disclosure: derive signing key: %w", err)
	}
	atRest, err := hkdf.Key(sha256.New, seed, nil, "warrantdesk production at-rest v1", 32)
	if err != nil {
		return nil, fmt.Errorf("disclosure: derive at-rest secret: %w", err)
	}
	return &Keys{sign: ed25519.NewKeyFromSeed(signSeed), atRest: atRest}, nil
}

// ParseKeys reads an encoded production key (as GenerateKey writes it).
// The error never repeats the key.
func ParseKeys(s string) (*Keys, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, KeyPrefix) {
		return nil, errors.New("disclosure: the production key must start with " + KeyPrefix)
	}
	seed, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, KeyPrefix))
	if err != nil {
		return nil, errors.New("disclosure: the production key is not valid base64url")
	}
	return NewKeys(seed)
}

// GenerateKey returns a new, random, encoded production key.
func GenerateKey() string {
	seed := make([]byte, 32)
	rand.Read(seed) // never fails (crypto/rand)
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(seed)
}

// PublicKey returns the key that verifies manifest signatures.
func (k *Keys) PublicKey() ed25519.PublicKey { return k.sign.Public().(ed25519.PublicKey) }

// Fingerprint names the public key: "SHA256:" and the hex SHA-256 of its
// 32 raw bytes.
func (k *Keys) Fingerprint() string {
	sum := sha256.Sum256(k.PublicKey())
	return "SHA256:" + hex.EncodeToString(sum[:])
}

// PublicKeyPEM returns the public key as a PEM "PUBLIC KEY" block
// (SubjectPublicKeyInfo), which `openssl pkeyutl -verify` reads.
func (k *Keys) PublicKeyPEM() string {
	der, err := x509.MarshalPKIXPublicKey(k.PublicKey())
	if err != nil {
		panic(err) // an Ed25519 public key always marshals
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// sign returns the Ed25519 signature of msg.
func (k *Keys) signature(msg []byte) []byte { return ed25519.Sign(k.sign, msg) }

// packageKey derives the at-rest key of one attempt at one production:
// every package has its own key, and no key is ever stored.
func (k *Keys) packageKey(productionID string, attempt int) []byte {
	key, err := hkdf.Key(sha256.New, k.atRest, nil, "warrantdesk package "+productionID+" attempt "+strconv.Itoa(attempt), 32)
	if err != nil {
		panic(err) // 32 bytes of SHA-256 HKDF output is always available
	}
	return key
}

// atRestStanza is the age stanza type of a package sealed at rest.
const atRestStanza = "warrantdesk-at-rest"

// atRestRecipient seals an age file key with a package's at-rest key
// (AES-256-GCM), so a package without an agency recipient is still never
// stored in the clear: the portal opens it only to serve it.
type atRestRecipient struct{ key []byte }

func (r atRestRecipient) Wrap(fileKey []byte) ([]*age.Stanza, error) {
	aead, err := newGCM(r.key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return []*age.Stanza{{Type: atRestStanza, Args: []string{"v1"}, Body: aead.Seal(nonce, nonce, fileKey, []byte(atRestStanza))}}, nil
}

// atRestIdentity opens what atRestRecipient sealed with the same key.
type atRestIdentity struct{ key []byte }

func (i atRestIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	aead, err := newGCM(i.key)
	if err != nil {
		return nil, err
	}
	for _, s := range stanzas {
		if s.Type != atRestStanza || len(s.Body) < aead.NonceSize() {
			continue
		}
		n := aead.NonceSize()
		if fk, err := aead.Open(nil, s.Body[:n], s.Body[n:], []byte(atRestStanza)); err == nil {
			return fk, nil
		}
	}
	return nil, age.ErrIncorrectIdentity
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("disclosure: at-rest cipher: %w", err)
	}
	return cipher.NewGCM(b)
}

// ParseRecipient reads an agency's age recipient: an X25519 recipient
// ("age1…") or a post-quantum hybrid one ("age1pq1…"). Returns Invalid on
// anything else, without echoing it (it might be a pasted private key).
func ParseRecipient(s string) (age.Recipient, error) {
	s = strings.TrimSpace(s)
	var (
		r   age.Recipient
		err error
	)
	switch {
	case strings.HasPrefix(s, "age1pq1"):
		r, err = age.ParseHybridRecipient(s)
	case strings.HasPrefix(s, "age1"):
		r, err = age.ParseX25519Recipient(s)
	default:
		err = errors.New("unknown recipient type")
	}
	if err != nil {
		return nil, recipientInvalid()
	}
	return r, nil
}
