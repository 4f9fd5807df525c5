// An independent reader and writer of cosign's encrypted key files, for the
// signing tests: Go's encoding/pem, encoding/json, crypto/x509 and
// crypto/ecdsa with golang.org/x/crypto's scrypt and nacl/secretbox (Debian's
// golang-golang-x-crypto-dev), the libraries cosign itself builds on, written
// from the format's description (go-securesystemslib's encrypted package).
//
//	cosign_key decrypt KEY PASSFILE  prints the key's public key as PEM
//	cosign_key encrypt PASSFILE KEY  writes a new encrypted P-256 key to KEY,
//	                                 prints its public key as PEM
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/crypto/scrypt"
)

type keyFile struct {
	KDF struct {
		Name   string `json:"name"`
		Params struct {
			N int `json:"N"`
			R int `json:"r"`
			P int `json:"p"`
		} `json:"params"`
		Salt []byte `json:"salt"`
	} `json:"kdf"`
	Cipher struct {
		Name  string `json:"name"`
		Nonce []byte `json:"nonce"`
	} `json:"cipher"`
	Ciphertext []byte `json:"ciphertext"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "cosign_key: "+format+"\n", args...)
	os.Exit(1)
}

func passphrase(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	return []byte(strings.SplitN(string(b), "\n", 2)[0])
}

func printPublic(pub interface{}) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		fail("%v", err)
	}
	pem.Encode(os.Stdout, &pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func boxKey(pass, salt []byte, n, r, p int) *[32]byte {
	k, err := scrypt.Key(pass, salt, n, r, p, 32)
	if err != nil {
		fail("scrypt: %v", err)
	}
	var key [32]byte
	copy(key[:], k)
	return &key
}

func decrypt(keyPath, passPath string) {
	text, err := os.ReadFile(keyPath)
	if err != nil {
		fail("%v", err)
	}
	block, _ := pem.Decode(text)
	if block == nil || block.Type != "ENCRYPTED COSIGN PRIVATE KEY" {
		fail("no ENCRYPTED COSIGN PRIVATE KEY block")
	}
	var f keyFile
	if err := json.Unmarshal(block.Bytes, &f); err != nil {
		fail("json: %v", err)
	}
	if f.KDF.Name != "scrypt" || f.Cipher.Name != "nacl/secretbox" || len(f.Cipher.Nonce) != 24 {
		fail("unexpected kdf %q, cipher %q or nonce size", f.KDF.Name, f.Cipher.Name)
	}
	p := f.KDF.Params
	key := boxKey(passphrase(passPath), f.KDF.Salt, p.N, p.R, p.P)
	var nonce [24]byte
	copy(nonce[:], f.Cipher.Nonce)
	der, ok := secretbox.Open(nil, f.Ciphertext, &nonce, key)
	if !ok {
		fail("decryption failed")
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		fail("pkcs8: %v", err)
	}
	ec, ok := priv.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		fail("not a P-256 ECDSA key")
	}
	printPublic(&ec.PublicKey)
}

func encrypt(passPath, keyPath string) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail("%v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		fail("%v", err)
	}
	var f keyFile
	f.KDF.Name = "scrypt"
	f.KDF.Params.N, f.KDF.Params.R, f.KDF.Params.P = 32768, 8, 1
	f.KDF.Salt = make([]byte, 32)
	f.Cipher.Name = "nacl/secretbox"
	f.Cipher.Nonce = make([]byte, 24)
	rand.Read(f.KDF.Salt)
	rand.Read(f.Cipher.Nonce)
	var nonce [24]byte
	copy(nonce[:], f.Cipher.Nonce)
	f.Ciphertext = secretbox.Seal(nil, der, &nonce, boxKey(passphrase(passPath), f.KDF.Salt, 32768, 8, 1))
	body, err := json.Marshal(&f)
	if err != nil {
		fail("%v", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED COSIGN PRIVATE KEY", Bytes: body})
	if err := os.WriteFile(keyPath, out, 0600); err != nil {
		fail("%v", err)
	}
	printPublic(&priv.PublicKey)
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: cosign_key decrypt KEY PASSFILE | encrypt PASSFILE KEY")
	}
	switch os.Args[1] {
	case "decrypt":
		decrypt(os.Args[2], os.Args[3])
	case "encrypt":
		encrypt(os.Args[2], os.Args[3])
	default:
		fail("unknown command %q", os.Args[1])
	}
}
