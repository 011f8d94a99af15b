//! TLS security policies as data (AWS ELB/API Gateway/CloudFront, Mozilla, files) and their evaluation against scans.
