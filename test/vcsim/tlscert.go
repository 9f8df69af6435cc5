package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// tlsConfig returns the server TLS config and the CA file a client should trust. Without a
// cert dir it returns an empty config: the simulator then uses Go's built-in localhost cert
// (valid for 127.0.0.1 and ::1), and main writes that cert out as the CA file.
func tlsConfig(certDir string) (*tls.Config, string, error) {
	if certDir == "" {
		return new(tls.Config), "", nil
	}
	if err := os.MkdirAll(certDir, 0o700); err != nil {
		return nil, "", err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	notBefore := time.Now().Add(-time.Hour)
	notAfter := notBefore.Add(10 * 365 * 24 * time.Hour)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "vctp test CA", Organization: []string{"vctp vcsim"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, "", err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, "", err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "127.0.0.1", Organization: []string{"vctp vcsim"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, "", err
	}

	caFile := filepath.Join(certDir, "ca.pem")
	certFile := filepath.Join(certDir, "server.pem")
	keyFile := filepath.Join(certDir, "server-key.pem")
	// server.pem carries the chain (leaf + CA), as a vCenter with a private CA would send it.
	chain := append(pemBytes("CERTIFICATE", der), pemBytes("CERTIFICATE", caDER)...)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{caFile, pemBytes("CERTIFICATE", caDER)},
		{certFile, chain},
		{keyFile, pemBytes("EC PRIVATE KEY", keyDER)},
	} {
		if err := os.WriteFile(f.name, f.data, 0o600); err != nil {
			return nil, "", err
		}
	}
	pair, err := tls.X509KeyPair(chain, pemBytes("EC PRIVATE KEY", keyDER))
	if err != nil {
		return nil, "", err
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}}, caFile, nil
}

func pemBytes(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}
